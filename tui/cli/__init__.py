"""The command line: a thin layer over papergym.core and papergym.train, one module per command group."""
