"""Generated protobuf modules (from proto/plano/v1; do not edit, regenerate)."""
