"""Teaching helpers of the lectures, one module per notebook (nbNN.py beside checks/nbNN.py)."""
