"""GAN room: 2-D distributions, small generator/discriminator networks, live training."""
