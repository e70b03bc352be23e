"""tf.io: writing graphs to disk."""
from __future__ import annotations

import os

from google.protobuf import message, text_format

from plano.framework.graph import Graph
from plano.utils.atomic_file import write_atomically


def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """Writes a GraphDef (binary, or protobuf text format) to logdir/name; returns the path.

    The file is replaced atomically, so a reader never sees half a graph.
    """
    if isinstance(graph_or_graph_def, Graph):
        graph_def = graph_or_graph_def.as_graph_def()
    elif isinstance(graph_or_graph_def, message.Message):
        graph_def = graph_or_graph_def
    else:
        raise TypeError("write_graph needs a Graph or a GraphDef, got "
                        f"{type(graph_or_graph_def).__name__}")
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = text_format.MessageToString(graph_def).encode() if as_text \
        else graph_def.SerializeToString()
    write_atomically(path, data)
    return path
