"""Package data: the reporting units of Kiên Giang province (for the demo and tests)."""
