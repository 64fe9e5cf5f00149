"""The embedding room's ``genlab.jobs`` tasks; a participant's error becomes the result
``{"error": key, "params": {...}}``.

``word2vec_task``: params ``{"config": Word2VecConfig.to_dict(), "text": str | None}`` (``text``
for an uploaded corpus; otherwise the built-in corpus named in the config). Logs ``epoch`` after
each epoch; the result is ``{"source": Source}``.

``projection_task``: params ``{"config": ProjectionConfig.to_dict(), "vectors": ndarray}``; used
for UMAP, whose first fit in a process compiles for tens of seconds. Publishes ``{"fraction": f}``
as the map forms; the result is ``{"projection": Projection}``.
"""

from genlab.embed.projection import ProjectionConfig, project
from genlab.embed.sources import Word2VecConfig, word2vec
from genlab.errors import UserError
from genlab.text.corpora import load_corpus


def word2vec_task(ctx) -> dict:
    try:
        cfg = Word2VecConfig.from_dict(ctx.params["config"])
        text = ctx.params.get("text") or load_corpus(cfg.corpus)

        def on_epoch(epoch: int) -> bool:
            ctx.log(epoch=epoch, epochs=cfg.epochs)
            ctx.publish({"epoch": epoch, "epochs": cfg.epochs}, force=True)
            return ctx.checkpoint()

        return {"source": word2vec(text, cfg, on_epoch)}
    except UserError as err:
        return {"error": err.key, "params": err.params}


def projection_task(ctx) -> dict:
    try:
        cfg = ProjectionConfig.from_dict(ctx.params["config"])

        def progress(fraction: float) -> None:
            ctx.publish({"fraction": fraction}, force=fraction in (0.0, 1.0))

        return {"projection": project(ctx.params["vectors"], cfg, progress)}
    except UserError as err:
        return {"error": err.key, "params": err.params}


projection_task.solo = True  # UMAP compiles for tens of seconds without a checkpoint: not shared
