"""What a layer kind declares about its PyTorch counterpart: module, state_dict, notes.

Layer kinds return :class:`~rnncalc.layers.torch_modules.TorchModule` values from ``torch_modules``;
:mod:`rnncalc.reports.pytorch` collects them over a graph. The one closed-form rule
shared by ``torch.nn.RNN``, ``LSTM`` and ``GRU`` (state_dict names, order and
shapes for any ``num_layers``, ``bidirectional``, ``bias`` and ``proj_size``)
lives here, in :func:`rnn_state_dict`, and is checked against real torch by
the golden fixtures in ``tests/golden/torch_modules.json``.
"""

from __future__ import annotations

from rnncalc.layers.torch_modules import TorchModule, TorchParam


def rnn_state_dict(gates: tuple[str, ...], input_size: int, hidden_size: int, *,
                   num_layers: int = 1, bidirectional: bool = False, bias: bool = True,
                   proj_size: int = 0) -> list[TorchParam]:
    """``torch.nn.RNN/LSTM/GRU`` parameters in ``state_dict`` order.

    Per layer ``k`` and direction (suffix ``_reverse`` for the backward one):
    ``weight_ih_l{k} (G·H, in_k)``, ``weight_hh_l{k} (G·H, H_out)``, then
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (``G·H`` each) when ``bias``, then
    ``weight_hr_l{k} (P, H)`` when ``proj_size P > 0``. ``H_out`` is ``P`` or
    ``H``; ``in_0`` is the input size, ``in_k = H_out · directions`` above.
    """
    g = max(1, len(gates))
    h_out = proj_size or hidden_size
    dirs = 2 if bidirectional else 1
    rows = (f"{g} gates ({', '.join(gates)}) × {hidden_size} hidden" if gates
            else f"{hidden_size} hidden")
    out: list[TorchParam] = []
    for k in range(num_layers):
        in_k = input_size if k == 0 else h_out * dirs
        for sfx in ("", "_reverse")[:dirs]:
            side = " (reverse direction)" if sfx else ""
            out.append(TorchParam(f"weight_ih_l{k}{sfx}", (g * hidden_size, in_k),
                                  f"input-hidden weights W_ih{side}",
                                  (rows, f"{in_k} input features")))
            out.append(TorchParam(f"weight_hh_l{k}{sfx}", (g * hidden_size, h_out),
                                  f"hidden-hidden weights W_hh{side}",
                                  (rows, f"{h_out} {'projected ' if proj_size else ''}hidden")))
            if bias:
                out.append(TorchParam(f"bias_ih_l{k}{sfx}", (g * hidden_size,),
                                      f"input-hidden bias b_ih{side}", (rows,)))
                out.append(TorchParam(f"bias_hh_l{k}{sfx}", (g * hidden_size,),
                                      f"hidden-hidden bias b_hh{side}", (rows,)))
            if proj_size:
                out.append(TorchParam(f"weight_hr_l{k}{sfx}", (proj_size, hidden_size),
                                      f"projection W_hr{side}",
                                      (f"{proj_size} projected", f"{hidden_size} hidden")))
    return out


__all__ = ["TorchModule", "TorchParam", "rnn_state_dict"]
