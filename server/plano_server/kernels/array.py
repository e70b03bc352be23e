"""Array kernels: identity, placeholders, shapes, reshaping, slicing, joining."""
from plano import errors
from plano_server.kernels.registry import kernel


@kernel("Identity", "PlaceholderWithDefault")
def _identity(node):
    return lambda x: x


@kernel("Placeholder")
def _placeholder(node):
    def missing():
        raise errors.InvalidArgumentError(
            None, None, f"You must feed a value for placeholder tensor '{node.name}' with dtype "
            f"{node.attrs['dtype'].name}")
    return missing
