"""Reports: views of the built graph (summary, cost, explain, PyTorch convention, export)."""
