"""`salesim explain`: which of the model's mechanisms carry a paired verdict (Shapley values over
the mechanism switches, under common random numbers), and the page that shows it."""
