"""tf.io: writing graphs to disk."""
from __future__ import annotations

import os

from plano.framework.graph import Graph
from plano.utils.atomic_file import write_atomically


def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """Writes a GraphDef (binary, or protobuf text format) to logdir/name; returns the path."""
    from google.protobuf import text_format

    graph_def = graph_or_graph_def.as_graph_def() if isinstance(graph_or_graph_def, Graph) \
        else graph_or_graph_def
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = text_format.MessageToString(graph_def).encode() if as_text \
        else graph_def.SerializeToString()
    write_atomically(path, data)
    return path
