"""The demo's set-up steps: each app registers its own, run in one stated order."""

import pytest

from idbridge.core.demo import demo_step, demo_steps


def test_every_apps_demo_step_is_found_and_runs_sandbox_first():
    assert [(step.order, step.name) for step in demo_steps()] == [
        (10, "campus sandbox"),
        (20, "campus connections"),
        (25, "campus new hires"),
        (27, "demo administrator"),
        (30, "campus portal sp"),
        (40, "business office connection"),
    ]


def test_a_second_step_cannot_take_an_order_already_given():
    with pytest.raises(ValueError, match="taken by 'campus sandbox'"):
        demo_step(order=10, name="another")(lambda stdout: None)
    assert "another" not in [step.name for step in demo_steps()]


def test_registering_a_step_again_under_its_name_replaces_it():
    (step,) = [s for s in demo_steps() if s.name == "campus connections"]
    demo_step(order=step.order, name=step.name)(step.run)
    assert [s for s in demo_steps() if s.name == "campus connections"] == [step]
