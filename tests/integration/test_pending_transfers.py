"""A session holds at most MAX_PENDING uploads and downloads: a client that uploads and never
runs, or runs and never downloads, cannot fill the server's memory."""
import numpy as np

import plano as tf
from plano import codec
from plano.sessions import streaming
from plano.v1 import session_service_pb2 as pb
from plano_server.session_store import MAX_PENDING


def _session(client):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.identity(x, name="y")
    return client.create(g.as_graph_def().node)


def _upload(client, handle, value):
    chunks = [pb.TensorChunk(session_handle=handle, store_errors_in_response_body=True)]
    chunks += [c if isinstance(c, pb.TensorChunk) else pb.TensorChunk(data=bytes(c))
               for c in streaming.iter_chunks("x:0", value, 1 << 16)]
    return client.UploadTensors(iter(chunks))


def test_uploads_that_no_run_uses_are_capped(raw_client):
    client = raw_client()
    handle = _session(client)
    value = np.zeros(1000, np.float32)
    for _ in range(MAX_PENDING):
        assert _upload(client, handle, value).status_code == pb.OK
    refused = _upload(client, handle, value)
    assert refused.status_code == pb.RESOURCE_EXHAUSTED
    assert f"already holds {MAX_PENDING} uploaded feeds" in refused.status_error_message
    _close(client, handle)


def test_results_never_downloaded_keep_only_the_newest(raw_client):
    client = raw_client()
    handle = _session(client)
    value = np.arange(300_000, dtype=np.float32)  # 1.2 MB: fetched through a download
    downloads = []
    for _ in range(MAX_PENDING + 1):
        request = pb.RunStepRequest(session_handle=handle, fetch=["y:0"],
                                    store_errors_in_response_body=True)
        request.feed.add(name="x:0", tensor=codec.encode(value))
        response = client.RunStep(request)
        assert response.status_code == pb.OK and response.download_handle
        downloads.append(response.download_handle)

    def fetch(download_handle):
        return list(client.DownloadTensors(pb.DownloadTensorsRequest(
            session_handle=handle, download_handle=download_handle,
            store_errors_in_response_body=True)))
    oldest = fetch(downloads[0])
    assert oldest[-1].status_code == pb.NOT_FOUND
    newest = fetch(downloads[-1])
    assembler = streaming.Assembler()
    for chunk in newest:
        assembler.add(chunk)
    np.testing.assert_array_equal(assembler.finish()[0][1], value)
    _close(client, handle)


def _close(client, handle):
    """Frees the pending transfers (the shared server waits for them when it stops)."""
    client.CloseSession(pb.CloseSessionRequest(session_handle=handle,
                                               store_errors_in_response_body=True))
