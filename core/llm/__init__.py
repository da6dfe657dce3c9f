"""Text-generation backends (llama.cpp in process, OpenAI-compatible servers), the model registry and the GGUF header reader."""
