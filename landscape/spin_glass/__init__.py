"""The H-spin spherical spin glass and its critical points.

Choromanska et al. (2015) reduce a ReLU network to this model; Becker, Zhang & Lee (2020) count
and cluster its critical points (tensor eigenpairs).

* :mod:`~landscape.spin_glass.hamiltonian`: couplings, energy, derivatives and Hessians on the sphere
* :mod:`~landscape.spin_glass.sphere`: the batched minimiser on the sphere
* :mod:`~landscape.spin_glass.complexity`: Θ_{k,H}, the energy barrier E_∞, the index thresholds E_k
* :mod:`~landscape.spin_glass.paths`: ReLU networks as sums over input–output paths
* :mod:`~landscape.spin_glass.homotopy`, :mod:`~landscape.spin_glass.counting`: tensor eigenpairs,
  the complex Bézout count and the real count
* :mod:`~landscape.spin_glass.minima`: the Ψ_H clustering bound and the entropy of minima
"""
