"""``python -m genlab embed``: a checkpoint's (or Word2Vec's) token vectors as map coordinates.

``--all-shipped`` precomputes the maps of the shipped checkpoints into ``assets/embed/``;
``--fill-cache`` fills numba's disk cache with what the maps compile (``./lab`` runs it once it has
installed)."""

import argparse
import sys
from pathlib import Path

from genlab.device import configure
from genlab.embed import export, projection, sources
from genlab.embed.projection import ProjectionConfig
from genlab.errors import UserError

PRECOMPUTE = tuple(
    ProjectionConfig(method=m, dims=d) for m in ("tsne", "pacmap", "umap") for d in (2, 3)
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "embed",
        help="project token embeddings to 2-D/3-D coordinates (CSV/TSV)",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("--checkpoint", help="a .safetensors language model, or shipped:NAME")
    p.add_argument("--source", choices=("model", "word2vec"), default="model")
    p.add_argument("--corpus", default="shakespeare", help="word2vec: built-in corpus or a file")
    p.add_argument("--method", choices=projection.METHODS, default="pca")
    p.add_argument("--dims", type=int, choices=(2, 3), default=2)
    p.add_argument("--perplexity", type=float, default=30.0)
    p.add_argument("--iterations", type=int, default=500)
    p.add_argument("--neighbours", type=int, default=10, help="PaCMAP and UMAP")
    p.add_argument("--min-dist", type=float, default=0.1, help="UMAP: how tightly points pack")
    p.add_argument("--metric", choices=projection.UMAP_METRICS, default="cosine", help="UMAP")
    p.add_argument("--epochs", type=int, default=0, help="UMAP; 0: its default (200 or 500)")
    p.add_argument("--spherize", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="coordinates file (.csv or .tsv); default: stdout")
    p.add_argument(
        "--all-shipped",
        action="store_true",
        help=f"write t-SNE, PaCMAP and UMAP maps (2-D, 3-D) of every shipped checkpoint to "
        f"{projection.PRECOMPUTED_DIR}",
    )
    p.add_argument(
        "--fill-cache",
        action="store_true",
        help="compile PaCMAP's and UMAP's code into numba's disk cache (once, after installing)",
    )
    p.set_defaults(func=main)


def load_source(args) -> sources.Source:
    from genlab.text.checkpoint import load_lm, load_shipped
    from genlab.text.corpora import BUILTIN, load_corpus

    if args.source == "word2vec":
        text = load_corpus(args.corpus) if args.corpus in BUILTIN else Path(args.corpus).read_text()
        cfg = sources.Word2VecConfig(corpus=args.corpus, seed=args.seed)
        return sources.word2vec(text, cfg)
    if not args.checkpoint:
        raise UserError("embed.err_cli_checkpoint")
    if args.checkpoint.startswith("shipped:"):
        name = args.checkpoint.removeprefix("shipped:")
        lm = load_shipped(name)
    else:
        name = Path(args.checkpoint).stem
        lm = load_lm(Path(args.checkpoint))
    corpus = lm.meta.get("corpus")
    return sources.from_language_model(name, lm, load_corpus(corpus) if corpus in BUILTIN else None)


def precompute_shipped(out=sys.stderr) -> list[Path]:
    """Write the precomputed maps of every shipped checkpoint, remove those of checkpoints that
    changed or left; returns the files written."""
    from genlab.text.checkpoint import load_shipped, shipped
    from genlab.text.corpora import BUILTIN, load_corpus

    written = []
    for name in sorted(shipped()):
        lm = load_shipped(name)
        corpus = lm.meta.get("corpus")
        source = sources.from_language_model(
            name, lm, load_corpus(corpus) if corpus in BUILTIN else None
        )
        for cfg in PRECOMPUTE:
            result = projection.project(source.vectors, cfg)
            path = projection.precomputed_path(source.fingerprint, cfg)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(export.coords_table(source, result.coords), "utf-8")
            print(f"{name}: {cfg.slug()} {result.seconds:.1f} s -> {path.name}", file=out)
            written.append(path)
    for stale in set(projection.PRECOMPUTED_DIR.glob("*.csv")) - set(written):
        stale.unlink()
        print(f"removed stale {stale.name}", file=out)
    return written


def main(args: argparse.Namespace) -> int:
    configure()
    if args.all_shipped:
        precompute_shipped()
        return 0
    if args.fill_cache:
        projection.fill_compile_cache()
        return 0
    source = load_source(args)
    cfg = ProjectionConfig(
        method=args.method,
        dims=args.dims,
        perplexity=args.perplexity,
        iterations=args.iterations,
        neighbours=args.neighbours,
        min_dist=args.min_dist,
        metric=args.metric,
        epochs=args.epochs,
        spherize=args.spherize,
        seed=args.seed,
    ).validate()
    result = projection.project(source.vectors, cfg)
    fmt = "tsv" if args.out and args.out.suffix == ".tsv" else "csv"
    table = export.coords_table(source, result.coords, fmt)
    if args.out:
        args.out.write_text(table, "utf-8")
    else:
        sys.stdout.write(table)
    rows, dims = source.size
    print(
        f"{source.name}: {rows} tokens x {dims} dims, {cfg.slug()} in {result.seconds:.2f} s",
        file=sys.stderr,
    )
    return 0
