"""StaffSim: mock Staff+ interviews and critiques of the artifacts Staff engineers write."""

__version__ = "0.1.0"
