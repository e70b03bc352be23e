"""plano's service side: sessions, the engine (validate, compile, execute) and numpy kernels.

The engine holds no transport code; the embedded session and the gRPC server
both call `SessionStore`.
"""
__version__ = "0.1.0"
