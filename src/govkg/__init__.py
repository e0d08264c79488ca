"""govkg: the open knowledge graph of China's provincial digital government."""

__version__ = "0.1.0"
