"""Proto: a secure XML-document exchange on CherryPy and Mako."""

__version__ = "0.1.0"
