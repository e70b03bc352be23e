"""Graph building: Graph/Operation/Tensor, the op registry, shapes, importing, seeds."""
