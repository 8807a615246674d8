"""The knowledge store: embeddings, chunking, Chroma collections and hybrid cited retrieval.

Heavy libraries (chromadb, sentence-transformers) load only when a store or model is used.
"""

from simulator.store.chroma import ARTIFACTS, COMPENDIUM, Store
from simulator.store.chunking import Chunk, chunk_markdown
from simulator.store.embeddings import Embedder, get_embedder
from simulator.store.ingest import add_files, ingest_compendium
from simulator.store.retrieval import Hit, Retriever, get_retriever, retrieve, retrieve_many

__all__ = [
    "ARTIFACTS",
    "COMPENDIUM",
    "Chunk",
    "Embedder",
    "Hit",
    "Retriever",
    "Store",
    "add_files",
    "chunk_markdown",
    "get_embedder",
    "get_retriever",
    "ingest_compendium",
    "retrieve",
    "retrieve_many",
]
