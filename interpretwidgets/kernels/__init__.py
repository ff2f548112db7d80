"""Pure computation: model + inputs → Attribution / AttentionMaps. No widget imports here."""
