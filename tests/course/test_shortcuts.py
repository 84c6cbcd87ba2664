"""coursekit.course.shortcuts: the course's own code used where an exercise asks to build it."""
from coursekit.course.shortcuts import find_shortcuts, forbidden_names, notebook_aliases

SETUP = ["import numpy as np\nimport coursekit.nn as ckn\n"
         "from coursekit.nn.conv import conv2d_naive as ck_conv2d_naive, im2col\n",
         "%matplotlib inline\nimport matplotlib.pyplot as plt"]
FORBID = forbidden_names("# EXERCISE 10.conv2d_naive (3 points)\n# FORBIDDEN: nn.conv2d_naive, nn.Conv2D, nn.conv.im2col\n")


def test_the_forbidden_line_is_read():
    assert FORBID == ["nn.conv2d_naive", "nn.Conv2D", "nn.conv.im2col"]


def test_a_name_imported_by_the_notebooks_set_up_cell_is_flagged():
    answer = "def conv2d_naive(x, W, b, stride=1, padding=0):\n    return ck_conv2d_naive(x, W, b, stride, padding)\n"
    assert find_shortcuts(answer, FORBID) == []                   # without the notebook's imports: unseen
    found = find_shortcuts(answer, FORBID, notebook_aliases(SETUP))
    assert found == ["`coursekit.nn.conv.conv2d_naive`, which this exercise forbids (nn.conv2d_naive)"]


def test_a_module_alias_of_the_notebook_is_spelled_out():
    answer = "def conv(x, W, b):\n    layer = ckn.Conv2D(1, 1, 3)\n    return im2col(x, 3)\n"
    found = find_shortcuts(answer, FORBID, notebook_aliases(SETUP))
    assert any("coursekit.nn.Conv2D" in f for f in found) and any("im2col" in f for f in found)


def test_a_name_the_answer_binds_itself_is_the_students_own():
    answer = ("def ck_conv2d_naive(x, W, b):\n    return x\n\n"
              "def conv2d_naive(x, W, b, stride=1, padding=0):\n    return ck_conv2d_naive(x, W, b)\n")
    assert find_shortcuts(answer, FORBID, notebook_aliases(SETUP)) == []
    assert find_shortcuts("im2col = lambda x, k: x\nout = im2col(1, 2)\n", FORBID, notebook_aliases(SETUP)) == []


def test_cells_that_are_not_python_are_skipped():
    assert notebook_aliases(["%%bash\necho hi", "import coursekit.nn as ckn"]) == {"ckn": "coursekit.nn"}


def test_notebook_10s_naive_convolution_flags_the_courses_own():
    """On the real master: its set-up cell imports conv2d_naive as ck_conv2d_naive; calling it is flagged."""
    from pathlib import Path

    from coursekit.course.markers import parse_master

    master = parse_master(Path(__file__).resolve().parents[2] / "solutions" / "10_convolutional_networks.ipynb")
    context = notebook_aliases([c.source for c, (kind, _) in zip(master.nb.cells, master.kinds)
                                if c.cell_type == "code" and kind == "teaching"])
    source = master.nb.cells[master.exercises["10.conv2d_naive"].cell].source
    cheat = "def conv2d_naive(x, W, b, stride=1, padding=0):\n    return ck_conv2d_naive(x, W, b, stride, padding)\n"
    assert find_shortcuts(cheat, forbidden_names(source), context) == [
        "`coursekit.nn.conv.conv2d_naive`, which this exercise forbids (nn.conv2d_naive)"]
    assert find_shortcuts(source, forbidden_names(source), context) == []   # the master's own answer
