"""Spreadsheets in and out (.xlsx): the layer (`layer`), its streaming reader (`reader`), the
rosters of organizations and units (`specs`), the /data/ pages, the import job and the
`import`, `export`, `template` commands. Apps above declare their own kinds in `<app>/sheets.py`.

This package imports nothing when Django loads it: `from jiceng.sheets import layer as sheets`.
"""
