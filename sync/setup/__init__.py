"""Setting up a province: the unit sheets, the register and the config (``ubnd-sync init``)."""
