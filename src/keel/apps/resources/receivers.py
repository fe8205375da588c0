# receivers connected in ready()
