"""The text room: corpora, tokenizers, language models, training, sampling."""
