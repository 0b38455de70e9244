"""net2vis-widget: publication-ready figures of neural network architectures (Net2Vis)."""
from .aggregate import GroupingError
from .figure import Figure, figure
from .network import Edge, Network, Node
from .preferences import Preferences
from .widget import Net2Vis

__all__ = ["Net2Vis", "Figure", "figure", "GroupingError", "Network", "Node", "Edge",
           "Preferences"]
__version__ = "0.1.0"
