"""The monthly Decision 766 report and the quarterly one-stop report as Word (DOCX) and PDF, in
the layout of Decree 30/2020/NĐ-CP, Appendix I (issue 14, "Exports").

One job per module:

=================  ===========================================================================
``model``          the document as data: header, numbered sections, tables, charts (pure)
``content``        builds either document (``monthly``: Decision 766; ``quarterly``: one-stop;
                   ``common``: numbers as printed, the layout parts)
``chart_png``      the same chart models as ``metrics.charts`` drawn to PNG for Word (Pillow)
``docx_writer``    the DOCX file (python-docx)
``pdf_writer``     the PDF file (WeasyPrint, templates ``metrics/documents/``)
``jobs``           direct or background production, the files of a requester, the audit entry
``views``, ``urls``  the page ``/bao-cao-cchc/``
=================  ===========================================================================
"""
