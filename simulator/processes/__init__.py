"""One module per mechanism; each exposes simpy process functions taking the world."""
