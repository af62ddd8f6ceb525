"""Small fully connected networks: the engines, optimisers, losses and data.

* :mod:`~landscape.nets.engine`: one-hidden-layer networks batched over runs with their own data;
  the activation table (σ, σ′, σ″), closed-form gradients, Hessian-vector products and Hessians
* :mod:`~landscape.nets.networks`: MLP ensembles of any depth through ``torch.func``, exact Hessians, training
* :mod:`~landscape.nets.ensembles`: ensembles trained together as stacked weights (SGD, Adam)
* :mod:`~landscape.nets.critical_search`: batched critical-point searches (Pennington & Bahri §6.4)
* :mod:`~landscape.nets.losses`, :mod:`~landscape.nets.wide`: Nguyen & Hein's losses and certificates
* :mod:`~landscape.nets.data`: offline data loaders and stand-ins
"""
