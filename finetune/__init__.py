"""LoRA fine-tuning of the role-play model on reviewed transcripts, GGUF export, and evaluation.

Usable without Qt: ``deescal finetune`` / ``deescal eval`` and the Fine-tune page drive the same code.
"""
