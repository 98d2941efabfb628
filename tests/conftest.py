"""Shared by the test modules: plain helper functions are in tests/helpers.py (imported as
``from tests.helpers import ...``), the course's formulas, the oracle for neuralkit's numbers, in
tests/course_oracle.py."""

import pytest

pytest.register_assert_rewrite("tests.helpers")
