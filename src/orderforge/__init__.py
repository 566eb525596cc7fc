"""OrderForge: Make-to-Order manufacturing, from quote to delivery."""

__version__ = "0.1.0"
