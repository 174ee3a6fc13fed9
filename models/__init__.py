"""Engines: language model (llama.cpp), speech-to-text (faster-whisper), text-to-speech (pyttsx3)."""
