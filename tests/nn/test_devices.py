"""The whole network on a device that is not the default one, in every CI run.

array-api-strict's ``Device("device1")`` behaves as a GPU does for placement: an array made
without ``device=`` lands on the default device, and combining it with a device1 array raises.
So these tests catch the placement bugs a CUDA run would hit, on a machine without a GPU; the
same tours run on CUDA in tests/nn/test_gpu.py where there is one.
"""
from __future__ import annotations

import pytest

import _device_tour as tour

xps = pytest.importorskip("array_api_strict")


@pytest.fixture
def device1():
    return xps.Device("device1")


def test_mixing_devices_is_refused(device1):
    """The premise: without this refusal the tours below would prove nothing."""
    with pytest.raises(ValueError, match="different devices"):
        xps.asarray([1.0], device=device1) + xps.asarray([1.0])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cnn_trains_predicts_saves_and_loads_on_the_device(device1, tmp_path, dtype):
    tour.tour_cnn(xps, device1, tmp_path, dtype=dtype)


def test_optimizers_and_losses_on_the_device(device1):
    tour.tour_mlp_optimizers(xps, device1)


def test_rnn_learns_and_backpropagates_through_time_on_the_device(device1):
    tour.tour_rnn(xps, device1)


def test_notebook_11_sequence_model_learns_on_the_device(device1):
    tour.tour_sequence_model(xps, device1)


def test_notebook_helpers_take_a_model_on_the_device(device1):
    tour.tour_notebook_helpers(xps, device1)


def test_every_layer_passes_the_gradient_check_on_the_device(device1):
    tour.tour_gradient_checks(xps, device1)
