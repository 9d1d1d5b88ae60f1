"""Archive services built on the corpus and engine layers: adding files to the corpus
(``add``) and keeping the index current while the corpus folder changes (``watch``).

They are not search code: they use ``searchkit.corpus`` to read files and
``searchkit.engine.update_index`` to index them, and never import a search library.
"""
