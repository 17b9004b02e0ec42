"""Executes notebooks headless with their own kernel (the Rust notebooks with evcxr,
the Python one with the Python running this script) and fails on any error output. A
panic in an evcxr cell does not stop nbconvert, so the outputs are inspected: error
outputs, and stderr text with a Rust compile error or panic, count as failures.

Usage (from the repository root): python3 notebooks/check_notebooks.py [NOTEBOOK ...]
(every notebook in notebooks/ when none is named). Each runs in its own folder.
Executed copies go to target/notebooks/.
"""
import glob
import os
import sys

import nbformat
from nbclient import NotebookClient

os.makedirs("target/notebooks", exist_ok=True)
failed = passed = 0
for path in sys.argv[1:] or sorted(glob.glob("notebooks/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "rust")
    folder = os.path.dirname(path) or "."
    client = NotebookClient(nb, timeout=1800, kernel_name=kernel, resources={"metadata": {"path": folder}})
    problems = []
    try:
        client.execute()
    except Exception as exc:  # a cell error stops execution
        problems.append(f"execution stopped: {exc}")
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            if out.get("name") == "stderr" and ("panicked" in text or "error[" in text or "error:" in text):
                problems.append(f"cell {i}: {text.strip()[:300]}")
    name = os.path.relpath(path, "notebooks").replace(os.sep, "-")
    nbformat.write(nb, os.path.join("target/notebooks", name))
    if problems:
        failed += 1
        print(f"FAIL {path}: " + "; ".join(problems))
    else:
        passed += 1
        print(f"ok {path}")
print(f"notebooks: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
