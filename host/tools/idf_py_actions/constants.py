# The two target lists that idf-build-apps (through esp-bool-parser) imports from
# $IDF_PATH/tools/idf_py_actions/constants.py. With IDF_PATH=<repo>/host they let `idf-build-apps find`
# and `build --dry-run` print the wshammer build matrix on a machine without ESP-IDF
# (ci/static_checks.sh compares it with ci/expected_build_matrix.txt). The lists mirror ESP-IDF v5.5's;
# nothing else of idf.py is provided here.
SUPPORTED_TARGETS = [
    'esp32',
    'esp32s2',
    'esp32c3',
    'esp32s3',
    'esp32c2',
    'esp32c6',
    'esp32h2',
    'esp32p4',
    'esp32c5',
    'esp32c61',
]
PREVIEW_TARGETS = ['linux', 'esp32h21', 'esp32h4']
