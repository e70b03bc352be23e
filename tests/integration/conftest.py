"""Raw access to the plano-server under test: generated stubs with a chosen client identity."""
import secrets

import grpc
import pytest

from plano.v1 import session_service_pb2 as pb
from plano.v1 import session_service_pb2_grpc as pb_grpc


class RawClient:
    """The generated stub plus this client's identity metadata; no SDK in between."""

    def __init__(self, channel: grpc.Channel, client_id: str):
        self.stub = pb_grpc.SessionServiceStub(channel)
        self.metadata = (("plano-client-id", client_id),)

    def __getattr__(self, rpc: str):
        method = getattr(self.stub, rpc)
        return lambda request, **kw: method(request, metadata=self.metadata, **kw)

    def create(self, nodes=(), **kw) -> str:
        """CreateSession (errors in the body); returns the handle, asserting success."""
        from plano.v1 import graph_pb2

        response = self.CreateSession(pb.CreateSessionRequest(
            graph_def=graph_pb2.GraphDef(node=nodes), store_errors_in_response_body=True, **kw))
        assert response.status_code == pb.OK, response.status_error_message
        return response.session_handle


@pytest.fixture
def raw_client(plano_server):
    """A factory of RawClients of `plano_server`, each with its own (or a given) client id."""
    channels = []

    def make(client_id: str | None = None, target: str | None = None) -> RawClient:
        address = (target or plano_server.target).removeprefix("grpc://")
        channel = grpc.insecure_channel(address)
        channels.append(channel)
        return RawClient(channel, client_id or secrets.token_hex(16))
    yield make
    for channel in channels:
        channel.close()
