"""Photos have an outbox worker of their own, as pushes do: a burst of renditions never delays dispatch."""

from __future__ import annotations

from sereno.app import delivery_workers


async def test_photos_pushes_and_the_rest_are_delivered_by_workers_of_their_own(app):
    rest, pushes, photos = (set(worker.handlers) for worker in delivery_workers(app.state.worker))

    assert photos == {"attachment.ready", "attachment.expire"}
    assert pushes and all(topic.startswith("notify.") for topic in pushes)
    assert {"incident.reported", "realtime.publish"} <= rest
    assert not rest & photos and not rest & pushes
    assert rest | pushes | photos == set(app.state.worker.handlers)
