"""No output that nbval compares carries a round-off-level number.

The last bits of a float64 result depend on the BLAS library (OpenBLAS, MKL, Accelerate), the
kernel it picked for the processor (SkylakeX on AVX-512, Haswell elsewhere) and the thread count.
A master that prints "relative error 5.2e-12" passes nbval on one machine and fails on the next.
Such quantities are printed against the threshold that matters ("relative error below 1e-7: the
gradients match"), never by their digits.

The rule, in the text outputs nbval compares (stream and text/plain of code cells that ran and are
not tagged ``nbval-ignore-output`` or ``nbval-skip``):
- a number in scientific notation whose magnitude is below 1e-8 (exponent -9 or less), or a
  decimal fraction with nine or more zeros after the point, is flagged;
- unless it is an exact power of ten (``1e-10``, ``1.0e-12``): a threshold the cell prints;
- a cell whose small numbers are quantities in their own right, stable to the digits printed
  (a variance that collapses to 9e-11 layer after layer, a gradient that shrinks as 0.5^20),
  carries the tag ``exact-small-numbers`` and is not scanned (docs/AUTHORING.md).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
MASTERS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
NOT_COMPARED = {"nbval-ignore-output", "nbval-skip", "exact-small-numbers"}
SCIENTIFIC = re.compile(r"(?<![\w.])[-+]?(?P<mant>\d+(?:\.\d*)?|\.\d+)[eE](?P<exp>[-+]?\d+)(?![\w.])")
LONG_FRACTION = re.compile(r"(?<![\w.])[-+]?0?\.0{9,}[1-9]\d*(?![\w.])")
HOW_TO_FIX = ("print round-off-level quantities against a threshold, not by their digits: "
              "f\"{'below 1e-7: the gradients match' if err < 1e-7 else f'{err:.1e}'}\" "
              "(an exact power of ten such as 1e-7 may be printed; tag the cell exact-small-numbers "
              "only where the small numbers are stable quantities, not round-off)")


def is_roundoff_level(token: str) -> bool:
    """A printed number below 1e-8 in magnitude that is not zero and not an exact power of ten."""
    value = abs(float(token))
    if value == 0.0 or value >= 1e-8:
        return False
    m = SCIENTIFIC.fullmatch(token.lstrip("+-"))
    if m and float(m.group("mant")) == 1.0:
        return False  # 1e-10, 1.0e-10, 1.00e-10: a threshold
    return not math.isclose(10.0 ** round(math.log10(value)), value, rel_tol=0, abs_tol=0)


def compared_texts(cell) -> list[str]:
    """The text outputs of a code cell that nbval compares."""
    if cell.cell_type != "code" or cell.get("execution_count") is None:
        return []
    if NOT_COMPARED & set(cell.get("metadata", {}).get("tags", [])):
        return []
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            texts.append(out.get("data", {}).get("text/plain", ""))
    return texts


def roundoff_findings(nb, name: str = "notebook") -> list[str]:
    """One message per round-off-level number in ``nb``'s compared outputs, naming the cell as
    nbval does (``Cell N`` counts code cells from 0) and as the notebook does (its index)."""
    found, code_index = [], -1
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_index += 1
        for text in compared_texts(cell):
            for line in text.splitlines():
                tokens = [m.group(0) for m in SCIENTIFIC.finditer(line)] + LONG_FRACTION.findall(line)
                for token in tokens:
                    if is_roundoff_level(token):
                        first = cell.source.splitlines()[0] if cell.source else ""
                        found.append(f"{name}, nbval Cell {code_index} (cell {index}, {first[:50]!r}): "
                                     f"prints {token} in {line.strip()[:100]!r}")
    return found


def _notebook(*outputs: str, tags=()):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(...)", execution_count=1,
                                     outputs=[nbformat.v4.new_output("stream", name="stdout", text=t)
                                              for t in outputs])
    cell.metadata["tags"] = list(tags)
    nb.cells = [nbformat.v4.new_markdown_cell("# A lecture"), cell]
    return nb


def test_a_gradient_check_printed_by_its_digits_is_flagged():
    found = roundoff_findings(_notebook("relative error 4.4e-12\n"), "99_demo.ipynb")
    assert len(found) == 1 and "4.4e-12" in found[0] and "nbval Cell 0 (cell 1" in found[0]


@pytest.mark.parametrize("text", ["largest difference 2.2e-16", "relative error 5.20E-12",
                                  "gap: 0.000000000123", "1.5e-09 < 1e-7", "9.0e-10"])
def test_round_off_level_numbers_are_flagged(text):
    assert roundoff_findings(_notebook(text + "\n")), text


@pytest.mark.parametrize("text", ["relative error below 1e-7: the gradients match", "agree to better than 1e-10",
                                  "threshold 1.0e-12", "largest difference 0.0e+00", "loss 3.2e-05",
                                  "lr = 1e-3, accuracy 0.975", "step 1.0e-09", "W1 (4, 5) 0.919",
                                  "id 12e-12x", "1e-300 floor"])
def test_thresholds_and_ordinary_numbers_pass(text):
    assert roundoff_findings(_notebook(text + "\n")) == [], text


def test_cells_nbval_does_not_compare_are_not_scanned():
    for tag in ("nbval-ignore-output", "nbval-skip", "exact-small-numbers"):
        assert roundoff_findings(_notebook("relative error 4.4e-12\n", tags=[tag])) == []
    never_ran = _notebook("relative error 4.4e-12\n")
    never_ran.cells[1].execution_count = None
    assert roundoff_findings(never_ran) == []


def test_text_plain_results_are_scanned_too():
    nb = _notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "np.float64(3.3e-16)"},
                                                  execution_count=1)]
    assert roundoff_findings(nb)


@pytest.mark.skipif(not MASTERS, reason="solutions/ holds no master notebook yet")
@pytest.mark.parametrize("path", MASTERS, ids=[p.name for p in MASTERS])
def test_master_outputs_carry_no_round_off_level_number(path):
    found = roundoff_findings(nbformat.read(str(path), as_version=4), path.name)
    assert not found, "\n".join(found) + "\n" + HOW_TO_FIX
