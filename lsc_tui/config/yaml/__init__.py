"""The one YAML layer: every YAML file lsc-tui reads or writes goes through these modules.

``files``     the guarded reader, the one writer, the limits, file stamps
``nodes``     the located node tree (line, column, character span of every node)
``lint``      the checks made at read: limits, duplicate keys, YAML 1.1 traps, syntax errors
``document``  the loader choice and the located documents of config files
``streams``   located multi-document streams for the operator formats
``edit``      span edits, the keystroke path, structural edits through ruamel.yaml
``save``      atomic saves of a document's text and the YAML written for new files
"""
