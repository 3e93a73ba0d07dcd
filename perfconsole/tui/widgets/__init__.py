"""Console widgets: data comes in through reactive attributes, actions go up as messages."""
