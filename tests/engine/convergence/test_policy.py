"""The convergence policy: the tapered floor and errors that name the parameter."""

import numpy as np
import pytest

from xlalloc.engine.convergence import ConvergencePolicy, floors, policy_from
from xlalloc.engine.errors import InputError


def test_over_target_floor_tapers_linearly():
    pol = ConvergencePolicy(
        min_growth=0.02, over_target_floor=-0.01, over_target_from=0.05, over_target_to=0.15
    )
    got = floors(np.ones(5), np.array([-0.1, 0.05, 0.10, 0.15, 0.3]), pol)
    # 0.02 until 5%; halfway (10%) 0.02 + 0.5 * (-0.01 - 0.02) = 0.005; -0.01 from 15%.
    np.testing.assert_allclose(got, [0.02, 0.02, 0.005, -0.01, -0.01])


def test_policy_errors_name_the_parameter():
    with pytest.raises(InputError) as e:
        policy_from({"min_growth": 2.0, "pace": 1.5, "colour": "red"})
    msg = str(e.value)
    assert "column 'min_growth'" in msg and "column 'pace'" in msg and "column 'colour'" in msg
    with pytest.raises(InputError, match="max_growth 0.01 is below min_growth 0.02"):
        policy_from({"min_growth": 0.02, "max_growth": 0.01})
    with pytest.raises(InputError, match="method 'pace' needs pace"):
        policy_from({"method": "pace"})
