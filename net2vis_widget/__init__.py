"""net2vis-widget: publication-ready figures of neural network architectures (Net2Vis)."""
from .figure import Figure, figure
from .network import Edge, Network, Node
from .preferences import Preferences

__all__ = ["Figure", "figure", "Network", "Node", "Edge", "Preferences"]
__version__ = "0.1.0"
