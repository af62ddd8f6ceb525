"""The book machinery: run parameters (:mod:`.session`), the claim ledger (:mod:`.ledger`), the papermill
runner (:mod:`.runner`), seed sweeps (:mod:`.sweep`), the report tables (:mod:`.report`), the figure style
(:mod:`.style`), the Sphinx extension (:mod:`.sphinx_ext`) and the command line (:mod:`.cli`).

Nothing in the mathematics modules of :mod:`landscape` imports from here.
"""
