"""Random matrices and free probability.

* :mod:`~landscape.rmt.random_matrix`: GOE, Marchenko–Pastur, the semicircle log-potential
* :mod:`~landscape.rmt.free_probability`: R-transforms, the Wishart + Wigner Hessian model, ε_c and
  the product-Wishart H1 of Pennington & Bahri (2017)
"""
