"""Word2Vec training as a ``genlab.jobs`` task: ``jobs.start("genlab.embed.jobs:word2vec", ...)``.

params: ``{"config": Word2VecConfig.to_dict(), "text": str | None}`` (``text`` for an uploaded
corpus; otherwise the built-in corpus named in the config). Logs ``epoch`` after each epoch; the
result is ``{"source": Source}`` or ``{"error": key, "params": {...}}`` for a participant's error.
"""

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
