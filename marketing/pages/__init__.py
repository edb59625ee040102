"""The page builder's block catalogue (F26): each block type declared once in ``blocks``.

``schema`` is the small, Django-free vocabulary of settings fields (validation and the console
form both come from it); ``resolvers`` fill a block's live data from the shop's rows when a
page is served; ``blocks`` ties the two together per type (the mini-program's component of the
same name renders it: ``miniprogram/components/page-blocks``).
"""
