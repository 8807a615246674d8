"""A LangChain retriever over the same hybrid retrieval, so chains cite what the CLI would."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from simulator.store.retrieval import Retriever, get_retriever


class StaffSimRetriever(BaseRetriever):
    """`BaseRetriever` returning hybrid hits as Documents with citation metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    k: int = 5
    kinds: list[str] | None = None
    sections: list[str] | None = None
    user: str | None = None
    include_compendium: bool = True
    retriever: Retriever | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        engine = self.retriever or get_retriever()
        hits = engine.search(
            query,
            self.k,
            kinds=self.kinds,
            sections=self.sections,
            user=self.user,
            include_compendium=self.include_compendium,
        )
        return [Document(page_content=h.text, metadata=_meta(h.to_dict())) for h in hits]


def _meta(hit: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in hit.items() if key != "text"}
