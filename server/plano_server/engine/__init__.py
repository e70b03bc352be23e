"""The engine: validate a GraphDef, compile (prune, order, bind kernels) and execute plans."""
