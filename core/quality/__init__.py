"""The quality pipeline behind ``papergym check``, one module per step, named as the step."""
